"""Template context about what the current user may reach (drives the navigation)."""

from typing import Any

from django.http import HttpRequest

from sinergi.accounts import scoping
from sinergi.lib.scope import Do, may


def access(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav": {
            "manage_users": scoping.may_manage_users(user),
            "audit": may(user, Do.READ_AUDIT),
            "model_regions": scoping.is_national_admin(user),
            "field": scoping.may_write(user),
            "dashboards": bool(scoping.memberships(user)),
        }
    }
