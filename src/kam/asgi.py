import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
application = get_asgi_application()

# Jobs this web app ran in its threads before a restart died with it: say so at once.
from kam.core.jobs import jobs_sweep_at_start  # noqa: E402

jobs_sweep_at_start()
