import rules

from villages.rules import is_staff_role, works_in

rules.add_perm("collective_economy.enter_figures", is_staff_role | works_in)
rules.add_perm("collective_economy.import_figures", is_staff_role | works_in)
