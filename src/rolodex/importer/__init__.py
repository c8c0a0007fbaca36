"""Moving records in and out in bulk: ``rolodex import`` and ``rolodex export``.

``reading`` opens CSV, Excel and JSON Lines files; ``mapping`` turns their
columns into fields; ``service`` runs an import through the record service
(``remote`` does the same over the REST API); ``export`` streams records out.
"""
