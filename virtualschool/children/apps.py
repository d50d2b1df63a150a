from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "virtualschool.children"
    label = "children"
    verbose_name = "Children on the roll"
