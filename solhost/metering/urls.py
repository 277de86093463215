app_name = "metering"

urlpatterns: list = []
