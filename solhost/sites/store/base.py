from django.db.backends.postgresql import base, features


class DatabaseFeatures(features.DatabaseFeatures):
    # The tables these keys point to are in the region's database, not this one.
    supports_foreign_keys = False


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
