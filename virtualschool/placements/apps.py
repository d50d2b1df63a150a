from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "virtualschool.placements"
    label = "placements"
    verbose_name = "Education placements"
