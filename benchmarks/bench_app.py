"""The app as gunicorn serves it, plus a bare endpoint: the ceiling of the stack."""

from api import create_app

app = create_app()


@app.get("/api/v1/bench/bare")
def bare():
    """A fixed JSON body through Flask and the app's own hooks, with no database or cache."""
    return {"items": [], "pagination": {"page": 1, "per_page": 20, "total": 0, "pages": 0}}
