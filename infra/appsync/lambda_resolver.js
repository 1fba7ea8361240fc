// The APPSYNC_JS unit resolver of every field the Lambda resolves.
//
// The stack declares this after the import, per resolver:
//   const EVICTIONS = [{ typeName, fieldName, keys: [{ key, attribute }] }];
// derived from resolvers/caching.py (empty for queries), so the eviction policy has one
// home. APPSYNC_JS has no try/catch, classes or local imports, hence the plain style.
import { util, extensions } from '@aws-appsync/utils';

// The Lambda gets AppSync's whole context, the same event a direct Lambda resolver gets,
// so the handler routes on info.fieldName and may read the selection set.
export function request(ctx) {
  return {
    operation: 'Invoke',
    payload: {
      arguments: ctx.arguments,
      identity: ctx.identity,
      source: ctx.source,
      request: ctx.request,
      info: ctx.info,
      prev: ctx.prev,
      stash: ctx.stash,
    },
  };
}

// Domain errors come back as data ({"error": {"type", "message"}}) because a raised
// exception would reach the client as Lambda:Unhandled; util.error stops the resolver.
export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  const result = ctx.result;
  if (result && result.error) {
    util.error(result.error.message, result.error.type);
  }
  // A mutation changed an order: drop the cached reads keyed on it.
  if (result) {
    EVICTIONS.forEach((eviction) => {
      const keys = {};
      eviction.keys.forEach((k) => {
        keys[k.key] = result[k.attribute];
      });
      extensions.evictFromApiCache(eviction.typeName, eviction.fieldName, keys);
    });
  }
  return result;
}
