from tests.questions.thread_helpers import close_app_engine, settings

__all__ = ["close_app_engine", "settings"]
