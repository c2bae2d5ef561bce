# syntax=docker/dockerfile:1
# The PizzaBorg class server in a container (docs/deploy.md). Build from a checkout:
#     docker build -t pizzaborg .
# Run one (the volume keeps sessions, saves, hand-ins and the keys; the access code from the environment):
#     docker run -p 8000:8000 -v pizzaborg:/srv/pizzaborg -e PIZZABORG_CODE=K7QM-3XHD pizzaborg
# Add serve's options after the image's name, e.g. --assignment /srv/pizzaborg/class.yaml
# --hand-ins /srv/pizzaborg/hand-ins --trusted-proxy 10.0.0.0/8 --allowed-host class.example.org.

# ---- the wheel, built from this checkout (its build hook compiles the interface catalogues) ----
FROM python:3.11-slim AS wheel
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir build && python -m build --wheel --outdir /dist

# ---- the class server: the wheel with the web extra, run by a user of its own ----
FROM python:3.11-slim
RUN useradd --create-home --uid 10001 --user-group pizzaborg \
    && mkdir -p /srv/pizzaborg && chown pizzaborg:pizzaborg /srv/pizzaborg
COPY --from=wheel /dist/ /tmp/dist/
RUN pip install --no-cache-dir "$(ls /tmp/dist/pizzaborg-*.whl)[web]" && rm -rf /tmp/dist
USER pizzaborg
WORKDIR /srv/pizzaborg
# sessions.json, each session's saves, hand-ins, .pizzaborg-server-key and .pizzaborg-class-key: one
# volume, shared by every container of the class (docs/deploy.md: a ReadWriteMany volume on Kubernetes)
VOLUME ["/srv/pizzaborg"]
ENV PIZZABORG_CODE=""
EXPOSE 8000
# any IP address is an allowed Host; /favicon.ico answers 204 without a session or a game
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/favicon.ico', timeout=4)"]
# the code from the environment (a Secret), never on the image; without one, serve makes one and prints it
ENTRYPOINT ["/bin/sh", "-c", "exec pizzaborg serve --host 0.0.0.0 --port 8000 --data-dir /srv/pizzaborg/data ${PIZZABORG_CODE:+--code \"$PIZZABORG_CODE\"} \"$@\"", "pizzaborg"]
CMD []
