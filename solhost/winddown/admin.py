from django.contrib import admin

from solhost.core.admin import ReadOnlyAdmin
from solhost.winddown.models import Case, HandoverOffer, HandoverRequest, WindDown


class WindDownRecordAdmin(ReadOnlyAdmin):
    """The steward reads wind-downs here; every change goes through the wind-down pages,
    whose actions check the dates and states and record each step."""


@admin.register(WindDown)
class WindDownAdmin(WindDownRecordAdmin):
    list_display = (
        "organisation",
        "announced_on",
        "data_return_deadline",
        "shutdown_on",
        "completed_at",
    )


@admin.register(Case)
class CaseAdmin(WindDownRecordAdmin):
    list_display = ("resident", "service", "state", "move_to", "changed_at", "closed_at")
    list_filter = ("wind_down__organisation", "state")
    raw_id_fields = ("resident",)


@admin.register(HandoverOffer)
class HandoverOfferAdmin(WindDownRecordAdmin):
    list_display = ("__str__", "wind_down", "handed_to", "handed_over_at")


@admin.register(HandoverRequest)
class HandoverRequestAdmin(WindDownRecordAdmin):
    list_display = ("offer", "organisation", "asked_at")
