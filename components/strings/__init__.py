"""Translation strings by area; merged by components.i18n."""
