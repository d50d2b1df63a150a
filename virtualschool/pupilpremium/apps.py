from django.apps import AppConfig


class PupilPremiumConfig(AppConfig):
    name = "virtualschool.pupilpremium"
    label = "pupilpremium"
    verbose_name = "Pupil Premium Plus"

    def ready(self) -> None:
        from virtualschool.core import extensions

        from . import rules  # noqa: F401  (registers the permissions)
        from .demo import write_pupil_premium_demo
        from .services import connect_pep_reviews

        connect_pep_reviews()  # a PEP's target review is the funded target's review
        from . import duty_events

        duty_events.register()  # the panel's weekly and next-day duties

        extensions.register_child_tab(
            extensions.ChildTab(
                key="pupil-premium",
                label="PP+",
                url_name="pupilpremium:child",
                order=60,
                permission="pupilpremium.view_child_tab",
            )
        )
        extensions.register_demo_writer("pupil-premium", write_pupil_premium_demo, order=80)
