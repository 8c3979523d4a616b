"""Sign-in page: shown (with the big screen) when accounts exist and nobody is signed in."""

from components import session

session.sign_in_form()
