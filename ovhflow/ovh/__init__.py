"""A python-ovh 1.2 compatible OVH API client: ``from ovhflow import ovh`` instead of ``import ovh``.

Same names, same wire format, plus retries, a rate limit, thread safety, batch reads and pagination.
"""

from ovhflow.ovh import client, config, consumer_key, exceptions, oauth2
from ovhflow.ovh.client import Client
from ovhflow.ovh.consumer_key import API_READ_ONLY, API_READ_WRITE, API_READ_WRITE_SAFE, ConsumerKeyRequest
from ovhflow.ovh.exceptions import (
    CREDENTIAL_ERRORS,
    APIError,
    BadParametersError,
    Forbidden,
    HTTPError,
    InvalidConfiguration,
    InvalidCredential,
    InvalidKey,
    InvalidRegion,
    InvalidResponse,
    InvalidSignature,
    NetworkError,
    NotCredential,
    NotGrantedCall,
    OAuth2FailureError,
    ReadOnlyError,
    ResourceConflictError,
    ResourceExpiredError,
    ResourceNotFoundError,
)

__all__ = [
    "API_READ_ONLY",
    "API_READ_WRITE",
    "API_READ_WRITE_SAFE",
    "CREDENTIAL_ERRORS",
    "APIError",
    "BadParametersError",
    "Client",
    "ConsumerKeyRequest",
    "Forbidden",
    "HTTPError",
    "InvalidConfiguration",
    "InvalidCredential",
    "InvalidKey",
    "InvalidRegion",
    "InvalidResponse",
    "InvalidSignature",
    "NetworkError",
    "NotCredential",
    "NotGrantedCall",
    "OAuth2FailureError",
    "ReadOnlyError",
    "ResourceConflictError",
    "ResourceExpiredError",
    "ResourceNotFoundError",
    "client",
    "config",
    "consumer_key",
    "exceptions",
    "oauth2",
]
