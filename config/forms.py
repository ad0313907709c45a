"""Forms of the site as a whole rather than of one app: signing in."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form, refusing a name longer than any account's before it is checked.

    Django gives the name field its maximum length only after the field is built, so the length
    is never validated: a 10,000-character name went on to authenticate(), whose failure
    django-axes records in a 255-character column, a 500 on PostgreSQL. No account has such a
    name, so it gets the answer any unknown name gets, and costs the throttle nothing.
    """

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is not None and len(username) > self.fields["username"].max_length:
            raise self.get_invalid_login_error()
        return super().clean()


class AdminSignInForm(SignInForm, AdminAuthenticationForm):
    """The admin's sign-in form (staff only), refusing overlong names the same way."""
