"""gunicorn settings for `make serve` and the deployment guide: `gunicorn -c
python:sinergi.gunicorn_conf sinergi.wsgi ...`.

The access log leaves out the query string and the Referer header: both carry what people
searched for (a name, or a NIK in `/actors/?q=` and `/api/v1/actors?q=`), and a log file is
copied, rotated and read far more widely than the database. Searches are recorded in the
audit table instead, with any NIK masked. A reverse proxy in front must log the same way
(docs/audit.md).
"""

# host, identity, user, time, "method path-without-query protocol", status, bytes,
# "user agent", duration
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'
