"""Writes for the communities app, one module per subject.

Every change of state goes through a function here, named ``<noun>_<verb>``, called
alike by the browser views, the API, the admin, commands, tasks and consumers.
Domain rules raise :mod:`config.errors` exceptions; side effects wait for the commit.
"""
