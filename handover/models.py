"""Imports every model module so metadata is complete (for Alembic and create_all)."""
from handover.accounts.models import *  # noqa: F401,F403
from handover.audit.models import *  # noqa: F401,F403
from handover.cases.models import *  # noqa: F401,F403
from handover.defects.models import *  # noqa: F401,F403
from handover.fees.models import *  # noqa: F401,F403
from handover.handovers.day_models import *  # noqa: F401,F403
from handover.handovers.models import *  # noqa: F401,F403
from handover.inspections.models import *  # noqa: F401,F403
from handover.jobs.models import *  # noqa: F401,F403
from handover.keys.models import *  # noqa: F401,F403
from handover.projects.models import *  # noqa: F401,F403
from handover.risks.models import *  # noqa: F401,F403
from handover.notifications.models import *  # noqa: F401,F403
from handover.surveys.models import *  # noqa: F401,F403
