app_name = "winddown"

urlpatterns: list = []
