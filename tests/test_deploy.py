"""The deployment files agree with each other and with the app.

The Dockerfile, gunicorn.conf.py, the Kubernetes manifests and the Cloud Run service all name
the same image, command, port, user and probe paths; these tests fail when one of them drifts.
No cluster and no network: the one test that starts the server does so on 127.0.0.1.
"""

import http.client
import json
import logging
import re
import runpy
import socket
import time
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.core.management import get_commands
from django.urls import resolve
from uvicorn_worker import UvicornWorker

from bench.server import (
    PRODUCTION_COMMAND,
    free_port,
    prepare_site,
    server_command,
    server_env,
    start_server,
    stop_server,
    wait_until_up,
)
from tests.asgi_client import run

ROOT = Path(__file__).resolve().parent.parent
KUBERNETES = ROOT / "deploy" / "kubernetes"
CLOUD_RUN = ROOT / "deploy" / "cloud-run" / "service.yaml"
SECRET_EXAMPLE = "secret.example.yaml"


def load(path: Path) -> dict:
    documents = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    assert len(documents) == 1, f"{path.name}: one resource per file"
    return documents[0]


def kubernetes_manifests() -> dict[str, dict]:
    """Every Kubernetes resource file (not the kustomization), by file name."""
    return {
        path.name: load(path)
        for path in sorted(KUBERNETES.glob("*.yaml"))
        if path.name != "kustomization.yaml"
    }


def by_kind(kind: str, component: str | None = None) -> dict:
    """The one resource of this kind (and `app.kubernetes.io/component` label, if given)."""
    (resource,) = [
        m
        for m in kubernetes_manifests().values()
        if m["kind"] == kind
        and component in (None, m["metadata"]["labels"].get("app.kubernetes.io/component"))
    ]
    return resource


def web() -> dict:
    return by_kind("Deployment", "web")


def worker() -> dict:
    return by_kind("Deployment", "worker")


def workloads() -> list[dict]:
    """Everything that runs the image: web and worker pods, the migrate Job, the purge CronJob."""
    return [web(), worker(), by_kind("Job"), by_kind("CronJob")]


def pod_spec(workload: dict) -> dict:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def only_container(workload: dict) -> dict:
    (container,) = pod_spec(workload)["containers"]
    return container


def command_line(container: dict) -> str:
    return " ".join(container.get("command", []) + container.get("args", []))


def images(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["image"]] if isinstance(node.get("image"), str) else []
        return found + [image for value in node.values() for image in images(value)]
    if isinstance(node, list):
        return [image for item in node for image in images(item)]
    return []


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    instructions, current = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.lstrip().startswith("#"):
            continue
        current += line.rstrip()
        if current.endswith("\\"):
            current = current[:-1] + " "
            continue
        if current.strip():
            keyword, _, arguments = current.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
        current = ""
    return instructions


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    return instructions[last_from:]


def dockerfile_env(stage: list[tuple[str, str]]) -> dict[str, str]:
    env = {}
    for keyword, arguments in stage:
        if keyword == "ENV":
            env.update(re.findall(r"(\w+)=(\S+)", arguments))
    return env


def gunicorn_settings(monkeypatch, **env: str) -> dict:
    for name in ("PORT", "WEB_CONCURRENCY", "GUNICORN_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def probes(container: dict) -> dict[str, dict]:
    return {
        kind: container[kind]
        for kind in ("startupProbe", "livenessProbe", "readinessProbe")
        if kind in container
    }


def probe_host(probe: dict) -> str:
    (host,) = [h["value"] for h in probe["httpGet"].get("httpHeaders", []) if h["name"] == "Host"]
    return host


def cloud_run_container() -> dict:
    (container,) = load(CLOUD_RUN)["spec"]["template"]["spec"]["containers"]
    return container


def cloud_run_env() -> dict[str, dict]:
    return {variable["name"]: variable for variable in cloud_run_container()["env"]}


def configmap_data() -> dict[str, str]:
    return by_kind("ConfigMap")["data"]


def csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


# --- one image, one port, one user ------------------------------------------------------------


def kustomized(image: str) -> str:
    """The image after kustomization.yaml's `images:` (what `kustomize edit set image` writes)."""
    name, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "")
    for override in load(KUBERNETES / "kustomization.yaml").get("images", []):
        if override["name"] == name:
            name = override.get("newName", name)
            if "digest" in override:
                return f"{name}@{override['digest']}"
            tag = override.get("newTag", tag)
    return f"{name}:{tag}" if tag else name


def test_every_manifest_runs_the_same_single_image():
    found = [
        kustomized(image)
        for manifest in kubernetes_manifests().values()
        for image in images(manifest)
    ]
    found += images(load(CLOUD_RUN))
    assert len(found) >= 3  # the Deployment, the migrate Job and the Cloud Run service
    assert len(set(found)) == 1, found
    assert ":" in found[0].rsplit("/", 1)[-1], "pin a tag (or digest), not an implicit :latest"


def test_the_container_port_is_the_images_port_and_gunicorns_default(monkeypatch):
    (port,) = only_container(web())["ports"]
    assert port["name"] == "http"
    expose = [arguments for keyword, arguments in final_stage() if keyword == "EXPOSE"]
    assert expose == [str(port["containerPort"])]
    assert dockerfile_env(final_stage())["PORT"] == str(port["containerPort"])
    assert gunicorn_settings(monkeypatch)["bind"] == f"0.0.0.0:{port['containerPort']}"
    assert gunicorn_settings(monkeypatch, PORT="18000")["bind"] == "0.0.0.0:18000"


def test_the_service_targets_the_named_port_of_the_web_pods():
    service, deployment = by_kind("Service"), web()
    (port,) = service["spec"]["ports"]
    assert service["spec"]["type"] == "ClusterIP"
    assert port["port"] == 80
    assert port["targetPort"] == "http"
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()


def test_pods_run_as_the_images_non_root_user():
    users = [arguments for keyword, arguments in final_stage() if keyword == "USER"]
    assert users == ["10001"]
    for workload in workloads():
        pod = pod_spec(workload)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == int(users[0])
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        container = only_container(workload)
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
        # A read-only root needs a writable /tmp.
        (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/tmp"]
        volumes = {volume["name"]: volume for volume in pod["volumes"]}
        assert "emptyDir" in volumes[mount["name"]]


def test_every_container_sets_resource_requests_and_a_memory_limit():
    for workload in workloads():
        resources = only_container(workload)["resources"]
        assert {"cpu", "memory"} <= resources["requests"].keys()
        assert "memory" in resources["limits"]
    assert {"cpu", "memory"} <= cloud_run_container()["resources"]["limits"].keys()


# --- probes -------------------------------------------------------------------------------------


def test_readiness_checks_the_database_and_liveness_only_the_process():
    container = only_container(web())
    found = probes(container)
    assert found["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert found["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert found["startupProbe"]["httpGet"]["path"] == "/healthz"
    for probe in found.values():
        assert probe["httpGet"]["port"] == "http"


def test_probes_send_a_host_that_django_allows():
    """The kubelet's default Host is the pod IP, which ALLOWED_HOSTS rejects with a 400."""
    allowed = csv(configmap_data()["ALLOWED_HOSTS"])
    for probe in probes(only_container(web())).values():
        assert probe_host(probe) in allowed
    allowed = csv(cloud_run_env()["ALLOWED_HOSTS"]["value"])
    for probe in probes(cloud_run_container()).values():
        assert probe_host(probe) in allowed


def all_probe_paths() -> set[str]:
    containers = [only_container(web()), cloud_run_container()]
    return {probe["httpGet"]["path"] for c in containers for probe in probes(c).values()}


def test_probe_paths_exist_in_the_urlconf():
    assert all_probe_paths() == {"/healthz", "/readyz"}
    for path in all_probe_paths():
        assert resolve(path).url_name == path.strip("/")


@pytest.mark.django_db
def test_probe_paths_answer_200_with_the_production_host_check(client, settings):
    settings.ALLOWED_HOSTS = csv(configmap_data()["ALLOWED_HOSTS"])
    (host,) = {probe_host(p) for p in probes(only_container(web())).values()}
    for path in sorted(all_probe_paths()):
        assert client.get(path, HTTP_HOST=host).status_code == 200, path
    # Probes by pod IP (the kubelet's default, and Cloud Run's) are answered before the host
    # check, while pages for an unknown host are still refused.
    assert client.get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400


# --- the rest of the Kubernetes set ---------------------------------------------------------------


def test_the_hpa_scales_the_deployment_and_keeps_two_replicas():
    hpa, deployment = by_kind("HorizontalPodAutoscaler"), web()
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": deployment["apiVersion"],
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert hpa["spec"]["minReplicas"] >= 2
    assert hpa["spec"]["maxReplicas"] >= hpa["spec"]["minReplicas"]
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    # The HPA owns the replica count; a fixed count would be reset on every apply.
    assert "replicas" not in deployment["spec"]
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_the_disruption_budget_covers_the_web_pods():
    pdb, deployment = by_kind("PodDisruptionBudget"), web()
    assert pdb["spec"]["minAvailable"] == 1
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()


def test_the_migrate_job_migrates_then_loads_content_with_the_web_settings():
    job, deployment = by_kind("Job"), web()
    container = only_container(job)
    command = command_line(container)
    assert command.startswith("sh -c ")
    assert "python manage.py migrate --noinput" in command
    assert command.index("manage.py migrate") < command.index(
        "manage.py load_content --skip-existing fixtures/"
    )
    assert container["envFrom"] == only_container(deployment)["envFrom"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["backoffLimit"] >= 1
    assert job["spec"]["ttlSecondsAfterFinished"] > 0


def manage_commands(command: str) -> list[str]:
    """The management commands a shell command line runs, in order."""
    return re.findall(r"python manage\.py ([a-z_]+)", command)


def test_the_worker_runs_the_task_queue_and_takes_no_traffic():
    deployment, container = worker(), only_container(worker())
    assert container["command"] == ["python", "manage.py", "db_worker"]
    assert "args" not in container
    assert "db_worker" in get_commands()
    assert container["envFrom"] == only_container(web())["envFrom"]
    assert deployment["spec"]["replicas"] == 1
    # Nothing connects to it: no port, no probe; nothing that serves or scales the web pods
    # selects its pods.
    assert "ports" not in container and not probes(container)
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    for kind in ("Service", "PodDisruptionBudget"):
        selector = by_kind(kind)["spec"]["selector"]
        selector = selector.get("matchLabels", selector)
        assert not selector.items() <= pod_labels.items(), kind
    assert (
        by_kind("HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]["name"]
        == (web()["metadata"]["name"])
    )
    assert worker()["metadata"]["name"] != web()["metadata"]["name"]


def test_the_purge_cronjob_runs_every_retention_command_daily():
    cronjob = by_kind("CronJob")
    spec = cronjob["spec"]
    minute, hour, *rest = spec["schedule"].split()
    assert minute.isdigit() and hour.isdigit() and rest == ["*", "*", "*"]  # once a day
    assert spec["timeZone"] == "Etc/UTC"
    assert spec["concurrencyPolicy"] == "Forbid"
    container = only_container(cronjob)
    command = command_line(container)
    assert command.startswith("sh -c ")
    ran = manage_commands(command)
    assert ran == [
        "purge_leads",
        "purge_login_attempts",
        "prune_db_task_results",
        "clearsessions",
    ]
    assert set(ran) <= set(get_commands())
    # Each step only runs after the one before succeeded, so a failure fails the Job.
    assert command.count("&&") == len(ran) - 1
    assert "--min-age-days" in command and "--failed-min-age-days" in command
    assert "--dry-run" not in command
    assert container["envFrom"] == only_container(web())["envFrom"]
    job = spec["jobTemplate"]["spec"]
    assert pod_spec(cronjob)["restartPolicy"] == "Never"
    assert job["backoffLimit"] >= 1 and job["activeDeadlineSeconds"] > 0


def test_the_configmap_names_only_settings_the_app_reads():
    """A misspelt name would be ignored in silence; the email settings must be among them."""
    source = (ROOT / "decision" / "settings.py").read_text()
    data = configmap_data()
    for name in data:
        assert f'"{name}"' in source, name
    for name in ("LEAD_NOTIFY_EMAIL", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS"):
        assert data[name], name
    assert "EMAIL_HOST_PASSWORD" not in data  # a secret: in the Secret


def test_workloads_read_the_configmap_and_secret_that_are_defined():
    configmap = by_kind("ConfigMap")
    example = load(KUBERNETES / SECRET_EXAMPLE)
    for workload in workloads():
        refs = only_container(workload)["envFrom"]
        assert {"configMapRef": {"name": configmap["metadata"]["name"]}} in refs
        (secret_ref,) = [ref["secretRef"]["name"] for ref in refs if "secretRef" in ref]
        # The example documents the real Secret under a name nothing reads.
        assert example["metadata"]["name"] == f"{secret_ref}-example"
    assert set(example["stringData"]) == {
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_HOST_PASSWORD",
    }
    assert configmap["data"]["DEBUG"] == "false"
    for origin in csv(configmap["data"]["CSRF_TRUSTED_ORIGINS"]):
        assert origin.startswith("https://")


def test_every_namespaced_resource_is_in_the_namespace():
    namespace = by_kind("Namespace")["metadata"]["name"]
    for name, manifest in kubernetes_manifests().items():
        if manifest["kind"] != "Namespace":
            assert manifest["metadata"]["namespace"] == namespace, name


def test_the_kustomization_lists_every_manifest_except_the_secret_example():
    kustomization = load(KUBERNETES / "kustomization.yaml")
    present = {path.name for path in KUBERNETES.glob("*.y*ml")} - {"kustomization.yaml"}
    assert SECRET_EXAMPLE in present
    assert len(kustomization["resources"]) == len(set(kustomization["resources"]))
    assert set(kustomization["resources"]) == present - {SECRET_EXAMPLE}


# --- Cloud Run ----------------------------------------------------------------------------------


def test_cloud_run_serves_the_same_image_on_the_same_port():
    container, deployment = cloud_run_container(), only_container(web())
    assert container["image"] == kustomized(deployment["image"])
    (port,) = container["ports"]
    (k8s_port,) = deployment["ports"]
    assert port["containerPort"] == k8s_port["containerPort"]
    assert cloud_run_container()["startupProbe"]["httpGet"] == {
        "path": "/healthz",
        "port": k8s_port["containerPort"],
        "httpHeaders": container["startupProbe"]["httpGet"]["httpHeaders"],
    }


def test_cloud_run_scales_to_zero_and_reads_secrets_from_secret_manager():
    service = load(CLOUD_RUN)
    annotations = service["spec"]["template"]["metadata"]["annotations"]
    assert annotations["autoscaling.knative.dev/minScale"] == "0"
    assert int(annotations["autoscaling.knative.dev/maxScale"]) >= 1
    assert service["spec"]["template"]["spec"]["containerConcurrency"] > 0
    env = cloud_run_env()
    assert env["DEBUG"]["value"] == "false"
    for name in ("SECRET_KEY", "DATABASE_URL"):
        assert "secretKeyRef" in env[name]["valueFrom"], name
        assert "value" not in env[name]


def test_cloud_run_runs_tasks_in_the_request_and_sends_email_with_a_secret_password():
    """No instance is always on there to run the queue; the README names the alternative."""
    env = cloud_run_env()
    assert env["TASKS_BACKEND"]["value"] == "immediate"
    assert "secretKeyRef" in env["EMAIL_HOST_PASSWORD"]["valueFrom"]
    assert "value" not in env["EMAIL_HOST_PASSWORD"]
    for name in ("LEAD_NOTIFY_EMAIL", "EMAIL_HOST", "EMAIL_PORT", "EMAIL_USE_TLS"):
        assert env[name]["value"] == configmap_data()[name], name
    assert env["EMAIL_PORT"]["value"] != "25"  # blocked for outgoing mail on Google Cloud
    readme = (ROOT / "deploy" / "README.md").read_text()
    assert "db_worker --batch" in readme


# --- Dockerfile and gunicorn ----------------------------------------------------------------------


def test_the_image_installs_runtime_dependencies_only_and_bakes_in_no_secret():
    text = (ROOT / "Dockerfile").read_text()
    assert "[dev]" not in text
    assert "['project']['dependencies']" in text
    instructions = dockerfile_instructions()
    assert [a for k, a in instructions if k == "FROM"][-1].startswith("python:3.13-slim")
    (collectstatic,) = [a for k, a in instructions if k == "RUN" and "collectstatic" in a]
    assert "DEBUG=false" in collectstatic
    for keyword, arguments in instructions:
        if keyword in {"ENV", "ARG"}:
            assert "SECRET_KEY" not in arguments and "ALLOWED_HOSTS" not in arguments
    assert dockerfile_env(final_stage())["DEBUG"] == "false"
    assert any(k == "HEALTHCHECK" and "/healthz" in a for k, a in final_stage())


def test_every_deployment_and_the_benchmark_run_the_images_asgi_command():
    (cmd,) = [a for k, a in final_stage() if k == "CMD"]
    assert json.loads(cmd) == [
        "gunicorn",
        "decision.asgi:application",
        "--config",
        "gunicorn.conf.py",
    ]
    # bench/run.py and scripts/audit.py start exactly this (bench/server.py).
    assert tuple(json.loads(cmd)) == PRODUCTION_COMMAND
    # Neither platform overrides it: both run the image's CMD.
    for container in (only_container(web()), cloud_run_container()):
        assert "command" not in container and "args" not in container
    readme = (ROOT / "deploy" / "README.md").read_text()
    assert " ".join(PRODUCTION_COMMAND) in readme
    assert "decision.wsgi" not in readme


def test_the_image_documents_how_to_run_the_worker():
    """One process per container: the worker is the same image with another command."""
    command = " ".join(only_container(worker())["command"])
    assert f"docker run IMAGE {command}" in (ROOT / "Dockerfile").read_text()
    readme = (ROOT / "deploy" / "README.md").read_text()
    for text in (command, "purge_leads", "LEAD_NOTIFY_EMAIL", "EMAIL_HOST_PASSWORD"):
        assert text in readme, text


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    for pattern in (".git", ".venv", "db.sqlite3", "staticfiles", "node_modules", ".env"):
        assert pattern in ignored, pattern


def test_gunicorn_workers_follow_web_concurrency_with_a_capped_default(monkeypatch):
    assert gunicorn_settings(monkeypatch, WEB_CONCURRENCY="3")["workers"] == 3
    assert 1 <= gunicorn_settings(monkeypatch)["workers"] <= 8
    settings = gunicorn_settings(monkeypatch)
    assert settings["timeout"] == 30
    assert settings["graceful_timeout"] < 35  # the pods' terminationGracePeriodSeconds
    assert settings["max_requests"] == 0  # a recycling uvicorn worker drops accepted requests
    assert settings["accesslog"] == "-" and settings["errorlog"] == "-"


def test_workers_run_uvicorn_without_its_access_line_or_proxy_headers(monkeypatch):
    """Uvicorn's access line holds the query string (a visitor's answers); its proxy headers
    would take REMOTE_ADDR from X-Forwarded-For, which Django's client-address settings read."""
    worker = gunicorn_settings(monkeypatch)["worker_class"]
    assert issubclass(worker, UvicornWorker)
    assert worker.CONFIG_KWARGS["access_log"] is False
    assert worker.CONFIG_KWARGS["proxy_headers"] is False
    assert worker.CONFIG_KWARGS["loop"] == worker.CONFIG_KWARGS["http"] == "auto"
    # So no deployment sets the variable that would name trusted proxies to uvicorn.
    assert "forwarded_allow_ips" not in gunicorn_settings(monkeypatch)
    for path in [CLOUD_RUN, *KUBERNETES.glob("*.yaml")]:
        assert "FORWARDED_ALLOW_IPS" not in path.read_text(), path.name


def access_log_record(monkeypatch, method: str, query: bytes) -> dict:
    """The JSON line gunicorn.conf.py's access log writes for one request to a small app."""

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"hello", "more_body": True})
        await send({"type": "http.response.body", "body": b" world"})

    async def ignore(message):
        pass

    scope = {
        "type": "http",
        "method": method,
        "path": "/kubernetes-vs-serverless/wizard/",
        "raw_path": b"/kubernetes-vs-serverless/wizard/",
        "query_string": query,
        "client": ("10.0.0.7", 51000),
        "headers": [
            (b"user-agent", b'Mozilla/5.0 "quoted"'),
            (b"x-request-id", b"abc-123"),
        ],
    }
    logger = logging.getLogger("test_deploy.access")
    messages = []
    monkeypatch.setattr(logger, "info", messages.append)
    logged = gunicorn_settings(monkeypatch)["json_access_log"](app, logger)
    run(logged(scope, None, ignore))
    (line,) = messages
    return json.loads(line)


def test_access_log_lines_are_json_without_the_query_string(monkeypatch):
    record = access_log_record(monkeypatch, "GET", b"location=on-premises&state=stateless")
    assert record["path"] == "/kubernetes-vs-serverless/wizard/"
    assert "on-premises" not in json.dumps(record) and "stateless" not in json.dumps(record)
    assert record["status"] == 200 and record["bytes"] == len(b"hello world")
    assert record["method"] == "GET" and record["remote_addr"] == "10.0.0.7"
    assert record["request_id"] == "abc-123"
    assert record["forwarded_for"] == "-"  # an absent header
    assert record["user_agent"] == 'Mozilla/5.0 "quoted"'
    assert isinstance(record["duration_ms"], int)
    assert access_log_record(monkeypatch, "HEAD", b"")["bytes"] == 0


# --- the server itself --------------------------------------------------------------------------

COMPARISON_PAGE = "/kubernetes-vs-serverless/"
SLOW_POST = (
    b"POST /kubernetes-vs-serverless/wizard/finish/ HTTP/1.1\r\n"
    b"Host: 127.0.0.1\r\n"
    b"Cookie: csrftoken=" + b"x" * 32 + b"\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 100000\r\n\r\n"
    b"answers="
)


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    """The production command on a free port, DEBUG off, on a fresh database with the fixtures.

    Static files are referenced, not collected (no manifest): the pages are what is tested.
    """
    tmp = tmp_path_factory.mktemp("server")
    static = "django.contrib.staticfiles.storage.StaticFilesStorage"
    env = server_env(tmp, STATICFILES_BACKEND=static)
    prepare_site(env, who="test_deploy", static=False)
    port, log_path = free_port(), tmp / "server.log"
    server = start_server(server_command(port, workers=2), env, log_path)
    try:
        wait_until_up(server, f"http://127.0.0.1:{port}", log_path, who="test_deploy")
        yield port, log_path
    finally:
        stop_server(server)


def request(port: int, method: str, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_pages_are_served_while_slow_clients_hold_post_bodies_open(production_server):
    """Sync workers each waited for a trickled body; now the event loop waits, not a worker."""
    port, _ = production_server
    slow = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(4)]
    try:
        for connection in slow:  # more of them than workers, each 99,992 bytes short
            connection.sendall(SLOW_POST)
        status, body = request(port, "GET", COMPARISON_PAGE)
        assert status == 200
        assert b"</html>" in body
        for connection in slow:  # still waiting for their bodies: no answer yet
            connection.setblocking(False)
            with pytest.raises(BlockingIOError):
                connection.recv(1)
    finally:
        for connection in slow:
            connection.close()


def access_records(log_path: Path, method: str) -> list[dict]:
    """The access log's records of this method, once one is written (it follows the answer)."""
    for _ in range(50):
        lines = log_path.read_text().splitlines()
        records = [json.loads(line) for line in lines if line.startswith("{")]
        found = [r for r in records if r.get("method") == method]
        if found:
            return found
        time.sleep(0.1)
    return []


def test_head_requests_are_answered_without_a_body_or_a_warning(production_server):
    port, log_path = production_server
    before = len(log_path.read_text())  # the server is shared with other tests
    assert request(port, "HEAD", COMPARISON_PAGE) == (200, b"")
    (head,) = access_records(log_path, "HEAD")
    assert head["path"] == COMPARISON_PAGE and head["status"] == 200 and head["bytes"] == 0
    assert "WARNING" not in log_path.read_text()[before:]


# --- schema validation ----------------------------------------------------------------------------


@pytest.mark.parametrize("kubernetes_version", ["1.30", "latest"])
def test_manifests_match_the_kubernetes_schemas(kubernetes_version):
    """Offline: kubernetes-validate bundles the API schemas. Strict mode rejects unknown fields."""

    if kubernetes_version == "latest":
        kubernetes_version = kubernetes_validate.latest_version()
    for name, manifest in kubernetes_manifests().items():
        try:
            kubernetes_validate.validate(manifest, kubernetes_version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(part) for part in error.path)
            pytest.fail(f"{name}: {path}: {error.message}")
