"""Schemathesis hooks for the Nym directory (loaded by scripts/schemathesis.sh through SCHEMATHESIS_HOOKS).

A key in the directory's API is 64 lowercase hex digits in the OpenAPI document, and the server also refuses, with a
typed 400, keys that are no usable curve point (a small-order or non-canonical Ed25519 identity key, a zero or
small-order X25519 Sphinx key): that cryptographic rule has no JSON Schema form. So that schemathesis' check
"a schema-valid request is not refused with 400" tests everything else (host patterns, versions, URLs, limits), every
schema-valid key in a request is replaced, just before it is sent, by a valid key of the same kind from the pools the
test hands in (NYM_ST_ED25519_KEYS, NYM_ST_X25519_KEYS: comma-separated hex). Only values that already match the
schema are replaced, so a deliberately invalid (negative) case stays invalid.
"""

import hashlib
import os
import re

import schemathesis

HEX64 = re.compile(r"^[0-9a-f]{64}$")
ADDRESS = re.compile(r"^([0-9a-f]{64})\.([0-9a-f]{64})@([0-9a-f]{64})$")
ED25519 = [k for k in os.environ.get("NYM_ST_ED25519_KEYS", "").split(",") if k]
X25519 = [k for k in os.environ.get("NYM_ST_X25519_KEYS", "").split(",") if k]


def _pick(pool, value):
    if not pool or not isinstance(value, str) or not HEX64.match(value):
        return value
    return pool[int(hashlib.sha256(value.encode()).hexdigest(), 16) % len(pool)]


def _fix_payload(payload):
    for field in ("identityKey", "gatewayIdentityKey"):
        if field in payload:
            payload[field] = _pick(ED25519, payload[field])
    if "sphinxKey" in payload:
        payload["sphinxKey"] = _pick(X25519, payload["sphinxKey"])
    address = payload.get("mixnetAddress")
    if isinstance(address, str):
        match = ADDRESS.match(address)
        if match:
            identity, encryption, gateway = match.groups()
            payload["mixnetAddress"] = (
                f"{_pick(ED25519, identity)}.{_pick(X25519, encryption)}@{_pick(ED25519, gateway)}"
            )


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    body = case.body
    if isinstance(body, dict):
        payload = body.get("payload")
        if isinstance(payload, dict):
            _fix_payload(payload)
    params = case.path_parameters
    if isinstance(params, dict) and "identityKey" in params:
        params["identityKey"] = _pick(ED25519, params["identityKey"])
