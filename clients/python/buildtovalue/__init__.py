"""BuildToValue client: ask before every AI task, fail closed, follow the kill switch.

    from buildtovalue import Client
    client = Client("btv.internal:50051", token)
    client.watch()
    result = client.enforce("credit-scoring", "production", prompt=text)
    if not result.allowed:
        ...
"""

from .client import Client
from .errors import BuildToValueError
from .results import APPROVED, BLOCKED, REVIEW_REQUIRED, EnforceResult, SystemStatus

__all__ = ["Client", "BuildToValueError", "EnforceResult", "SystemStatus", "APPROVED", "BLOCKED", "REVIEW_REQUIRED"]
__version__ = "0.1.0"
