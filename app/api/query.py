"""The API's filter language, re-exported from :mod:`app.services.query`.

The parser lives below the API because services use it too (a category's spec table
filters with the same language); views and older imports keep importing it from here.
"""

from ..services import query as _language
from ..services.query import *  # noqa: F403 (the language's public names, below)

__all__ = list(_language.__all__)
