"""The write path for qualification, one module per topic.

Each function is one use case, in one transaction, writing one audit event per changed
record. Changes to what the checks read re-evaluate the partner at once
(``evaluation.evaluate_partner``), so the public page never lags behind a dossier, an
evidence review or a server change.

- ``declarations``: what a partner declares, its financial years, dossier imports;
- ``evidence``: submitting evidence, the steward's review, expiry notices;
- ``applications``: a co-op's application to join and the steward's decision;
- ``evaluation``: judging partners against the charter;
- ``cloud_ranges``: importing the cloud providers' published address ranges.
"""
