"""The claims a Cognito access token carries for the resolvers, beside Cognito's own.

Amplify v6 calls AppSync with the access token, whose standard claims name the user only by
`sub` (its `username` is the `sub` too when email is the pool's username attribute), so the
pool's pre token generation trigger (resolvers/pre_token_generation.py) adds the email,
and AppSync hands every claim of the token to the resolvers in `identity.claims`
(https://docs.aws.amazon.com/appsync/latest/devguide/resolver-context-reference-js.html).
The local emulator's pool issues the same claim."""

# The user's email in the access token, named as the OpenID standard claim and the ID token
# name it: `identity.claims["email"]`.
EMAIL_CLAIM = "email"
# The user attribute it is copied from.
EMAIL_ATTRIBUTE = "email"
