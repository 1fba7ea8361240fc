"""The APPSYNC_JS code of each Lambda resolver: `appsync/lambda_resolver.js` with the
field's cache evictions (from the shared caching policy) declared after its import."""

import json
from pathlib import Path

from resolvers.definitions.caching import Eviction, evictions_for
from resolvers.definitions.fields import ResolverField

RESOLVER_JS = Path(__file__).parent / "appsync" / "lambda_resolver.js"
IMPORT_LINE = "import { util, extensions } from '@aws-appsync/utils';\n"


def eviction_key(caching_key: str) -> str:
    """`evictFromApiCache` names a key without the `$` its caching config carries:
    `$context.arguments.id` is evicted as `context.arguments.id`."""
    return caching_key.removeprefix("$")


def _eviction_js(eviction: Eviction) -> dict[str, object]:
    return {
        "typeName": eviction.field.type_name,
        "fieldName": eviction.field.field_name,
        "keys": [
            {"key": eviction_key(key), "attribute": attribute}
            for key, attribute in eviction.keys_from_result
        ],
    }


def resolver_code(field: ResolverField) -> str:
    """The code uploaded for `field`'s resolver."""
    evictions = [_eviction_js(e) for e in evictions_for(field)]
    declaration = f"const EVICTIONS = {json.dumps(evictions)};\n"
    source = RESOLVER_JS.read_text(encoding="utf-8")
    # Declared after the import so the module reads as any APPSYNC_JS module does.
    head, import_line, tail = source.partition(IMPORT_LINE)
    if not import_line:
        raise ValueError(f"{RESOLVER_JS} must import from '@aws-appsync/utils'")
    return head + import_line + declaration + tail
