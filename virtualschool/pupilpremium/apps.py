from django.apps import AppConfig


class PupilPremiumConfig(AppConfig):
    name = "virtualschool.pupilpremium"
    label = "pupilpremium"
    verbose_name = "Pupil Premium Plus"
