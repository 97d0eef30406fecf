from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemonstrationBeltConfig(AppConfig):
    name = "demonstration_belt"
    verbose_name = _("党建示范带")

    def ready(self) -> None:
        from demonstration_belt import models as m
        from jinhu.core import history

        for model in (
            m.Belt,
            m.BeltMembership,
            m.CreationPlan,
            m.Target,
            m.Agreement,
            m.Indicator,
            m.MonthlyReport,
            m.ReportItem,
            m.Evidence,
            m.Meeting,
            m.Inspection,
            m.Finding,
            m.Suggestion,
            m.PartyDayMethod,
            m.PartyDayActivity,
            m.CheckItem,
            m.ServiceCenterCheck,
            m.CheckResult,
            m.ReviewerScore,
            m.BonusItem,
            m.MajorFailure,
            m.Proposal,
            m.Admonishment,
        ):
            history.register(model)

        # A score is rendered from its facts with the agreement's indicators: when an
        # indicator changes, that village's scores of the year are stale (the periodic
        # rescore recomputes them; their digest would not match anyway).
        from django.db.models.signals import post_delete, post_save

        post_save.connect(_indicator_changed, sender=m.Indicator, dispatch_uid="indicator-saved")
        post_delete.connect(
            _indicator_changed, sender=m.Indicator, dispatch_uid="indicator-deleted"
        )


def _indicator_changed(sender, instance, **kwargs) -> None:
    from demonstration_belt.services.scores import scores_mark_year_stale

    scores_mark_year_stale(agreement_id=instance.agreement_id)
