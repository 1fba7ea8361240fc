"""The local AppSync emulator behind `orders serve`: the strawberry schema served over HTTP and
WebSocket, with AppSync's auth, error shapes, caching and subscriptions around the real
Lambda handler, against an embedded (moto) or external AWS endpoint."""
