from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from solhost.backups.status import OVERDUE_AFTER, backup_status
from solhost.partners.permissions import steward_required


@steward_required
def steward_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backups/steward.html",
        {
            "status": backup_status(now=timezone.now()),
            "overdue_hours": int(OVERDUE_AFTER.total_seconds() // 3600),
            "title": "Backups",
        },
    )
