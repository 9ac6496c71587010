"""Imports every domain's tables so that metadata is complete (Alembic, tests)."""


def import_all_models() -> None:
    from app.audit import models as audit  # noqa: F401
    from app.auth import models as auth  # noqa: F401
    from app.calendar import models as calendar  # noqa: F401
    from app.chasing import models as chasing  # noqa: F401
    from app.core import idempotency  # noqa: F401
    from app.feedback import models as feedback  # noqa: F401
    from app.grants import models as grants  # noqa: F401
    from app.issues import models as issues  # noqa: F401
    from app.jobs import models as jobs  # noqa: F401
    from app.meta import models as meta  # noqa: F401
    from app.notifications import models as notifications  # noqa: F401
    from app.orgs import models as orgs  # noqa: F401
    from app.stats import models as stats  # noqa: F401
    from app.tasks import models as tasks  # noqa: F401
    from app.todo import models as todo  # noqa: F401
    from app.users import models as users  # noqa: F401
    from app.workitems import models as workitems  # noqa: F401
