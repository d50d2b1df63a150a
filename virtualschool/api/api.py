"""The JSON API at /api/v1/: schools, children and placements, with the same scoping as the pages."""

from ninja import NinjaAPI

from virtualschool.attendance.api import child_router as attendance_child_router
from virtualschool.attendance.api import router as attendance_router
from virtualschool.escalations.api import router as escalations_router
from virtualschool.peps.api import router as peps_router
from virtualschool.pupilpremium.api import router as pupil_premium_router
from virtualschool.suspensions.api import suspensions_router, timetables_router

from . import errors
from .auth import BearerToken
from .children import router as children_router
from .duties import router as duties_router
from .placements import router as placements_router
from .schools import router as schools_router
from .sdq import router as sdq_router

api = NinjaAPI(
    title="Virtual School MIS API",
    version="1",
    description=(
        "The Virtual School roll, its schools and education placements. Authenticate with an API token "
        "(`python manage.py issue_api_token USERNAME`) sent as `Authorization: Bearer <token>`; the token acts "
        "with its user's rights, so a record that user may not see answers 404. Dates are ISO 8601. Errors "
        'answer {"detail": "...", "errors": {"field": ["message"]}}.'
    ),
    urls_namespace="api-v1",
    auth=BearerToken(),
)
errors.install(api)
api.add_router("/schools", schools_router)
api.add_router("/children", children_router)
api.add_router("/children", sdq_router)
api.add_router("/placements", placements_router)
api.add_router("", escalations_router)
api.add_router("/suspensions", suspensions_router)
api.add_router("/reduced-timetables", timetables_router)
api.add_router("", duties_router)
api.add_router("/peps", peps_router)
api.add_router("/pupil-premium", pupil_premium_router)
api.add_router("/attendance", attendance_router)
api.add_router("/children", attendance_child_router)
