import rules

from villages.rules import is_staff_role, works_in, works_in_a_village

rules.add_perm("collective_economy.enter_figures", is_staff_role | works_in)
rules.add_perm("collective_economy.import_figures", is_staff_role | works_in)
# Starting an import: each row is then checked against ``import_figures`` for its village.
rules.add_perm("collective_economy.import_accounts", is_staff_role | works_in_a_village)
