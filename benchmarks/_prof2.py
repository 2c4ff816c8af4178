import cProfile, pstats, time, os, sys, io
from datetime import date
from werkzeug.test import EnvironBuilder
from benchmarks.cache_bench import bench_env, drop_database, prepare_database, PREFIX
prepare_database(200)
try:
    os.environ.update(bench_env(CACHE_KEY_PREFIX=PREFIX + "p2:"))
    from benchmarks.bench_app import app
    LIST="/api/v1/news?per_page=20"
    n=[date(2100,1,1).toordinal()]
    def sr(*a): pass
    def run(k):
        for _ in range(k):
            n[0]+=1
            env = EnvironBuilder(LIST+f"&to={date.fromordinal(n[0])}").get_environ()
            b = app(env, sr); b"".join(b); b.close()
    run(100)
    t=time.process_time(); run(500); print("miss cpu us", (time.process_time()-t)/500*1e6)
    p = cProfile.Profile(time.process_time); p.enable(); run(500); p.disable()
    pstats.Stats(p).strip_dirs().sort_stats(sys.argv[1] if len(sys.argv)>1 else "cumulative").print_stats(70)
finally:
    drop_database()
