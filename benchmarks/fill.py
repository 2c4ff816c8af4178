"""Add N generated parks to the benchmark database (news once the content resource exists)."""

import sys

from api import create_app
from api.extensions import db
from api.models import Park


def fill(count):
    app = create_app()
    with app.app_context():
        db.session.add_all(Park(name=f"Benchmark Park {n:06d}", slug=f"benchmark-park-{n:06d}",
                                country="PT", city="Oeiras", focus_industries=["software"],
                                description="A generated park for load tests.")
                           for n in range(count))
        db.session.commit()


if __name__ == "__main__":
    fill(int(sys.argv[1]))
