"""gunicorn settings for Wijklab: `gunicorn -c deploy/gunicorn.conf.py 'wijklab:create_app()'`
(the systemd unit and the benchmarks pass this file; the command line sets the rest).

Once a worker has loaded the app, everything it holds then (modules, the app, its templates'
and translations' objects: about 250,000) is moved out of the garbage collector's sight with
`gc.freeze()`. Without it, Python's full collections walked those objects every few dozen
requests and made one request in ten or twenty take 150-250 ms longer at national scale.
"""

import gc


def post_worker_init(worker):
    gc.freeze()
