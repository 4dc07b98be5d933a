"""Log-in backend: a suspended or banned member can neither log in nor keep a session."""

from django.contrib.auth.backends import ModelBackend


class MemberBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        # Checked on log-in and on every request's session (ModelBackend.get_user), so a
        # suspension ends the member's open sessions too, and lifts itself when it runs out.
        return super().user_can_authenticate(user) and not getattr(user, "is_suspended", False)
