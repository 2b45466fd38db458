"""Platform endpoints: health, the current user, regions."""

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema

from hudong.core.models import Region
from hudong.core.scoping import profile_of

router = Router(tags=["platform"])


class HealthOut(Schema):
    status: str
    database: str


class MeOut(Schema):
    id: int
    username: str
    role: str | None
    region: str | None
    language: str


class RegionOut(Schema):
    code: str
    name: str


@router.get("/health", auth=None, response=HealthOut)
def health(request: HttpRequest) -> dict[str, str]:
    """Liveness and database reachability, for load balancers and monitors."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor}


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, object]:
    user = request.user
    profile = profile_of(user)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "role": "admin" if user.is_superuser else (profile.role if profile else None),
        "region": profile.region.code if profile and profile.region else None,
        "language": request.LANGUAGE_CODE,
    }


@router.get("/regions", response=list[RegionOut])
def regions(request: HttpRequest) -> list[Region]:
    return list(Region.objects.all())
