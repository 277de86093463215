"""How sure the region is of who signed in: the ``acr`` and ``amr`` values it speaks.

``amr`` lists the methods a session used (RFC 8176). ``acr`` names the level they reach:
a password alone, or a password and a second factor (the REFEDS MFA profile's URI, which
services that already ask other providers for MFA know). Discovery advertises
``ACR_VALUES`` in this order, weakest first.
"""

# RFC 8176 authentication method references.
AMR_PASSWORD = "pwd"
AMR_ONE_TIME_CODE = "otp"  # a TOTP app, or a recovery code
AMR_SECURITY_KEY = "hwk"  # a WebAuthn key or passkey: proof of a key held in hardware
AMR_MULTI_FACTOR = "mfa"  # more than one factor was used
AMR_USER_PRESENCE = "user"  # the person was present (WebAuthn user verification)

ACR_PASSWORD = "urn:solhost:acr:password"
ACR_MULTI_FACTOR = "https://refeds.org/profile/mfa"
ACR_VALUES = (ACR_PASSWORD, ACR_MULTI_FACTOR)
