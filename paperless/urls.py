from django.urls import path

from .views import dashboard

app_name = "paperless"

urlpatterns = [
    path("", dashboard.home, name="home"),
]
