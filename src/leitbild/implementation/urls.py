from django.urls import path

from . import views

app_name = "implementation"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("stand/", views.status_overview, name="status"),
    path("smart/", views.smart_failures, name="smart_failures"),
    path("smart-pruefung/", views.smart_check, name="smart_check"),
    path("handlungsziele/neu/", views.action_goal_edit, name="action_goal_new"),
    path("handlungsziele/<int:pk>/", views.action_goal_detail, name="action_goal"),
    path("handlungsziele/<int:pk>/bearbeiten/", views.action_goal_edit, name="action_goal_edit"),
    path("massnahmen/<int:pk>/", views.measure_detail, name="measure"),
]
