"""The site store's database backend: PostgreSQL without foreign-key constraints.

A site store holds the site's own tables (sessions, tokens, its outbox of events) and
none of the region's, which the site reads from its standby: a row there refers to a
resident or a client by id, and no constraint can point into another database.
"""
