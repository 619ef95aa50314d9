"""The API's models, generated from openapi.json (`dialtone_client._generated.models`)."""

from ._generated.models import *  # noqa: F403
from ._generated.models import __all__ as __all__
