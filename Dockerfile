# linkguard for CI systems that run containers (GitLab, Jenkins, Buildkite, Tekton, ...):
#   docker build -t linkguard .
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/work" linkguard \
#     scan --templates templates --format text --output -
#   docker run --rm linkguard scan https://www.example.com/ --browser -f html -o - > report.html
# Python 3.12 on Debian, linkguard installed from this checkout with the dependency versions
# pinned in ci/action-requirements.txt, git (--changed-since, .gitignore) and Debian's own
# Chromium for browser mode (--browser), found through LINKGUARD_CHROMIUM.
FROM python:3.12-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends git chromium fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

ENV LINKGUARD_CHROMIUM=/usr/bin/chromium \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

COPY . /tmp/linkguard-src
RUN pip install --constraint /tmp/linkguard-src/ci/action-requirements.txt \
        "/tmp/linkguard-src[browser]" \
    && rm -rf /tmp/linkguard-src \
    && linkguard -V

# git refuses a repository another user owns (a mounted checkout, GitLab's clone) unless told
# it is safe: in this single-purpose image every repository it is given is.
RUN git config --system --add safe.directory '*'
WORKDIR /work
ENTRYPOINT ["linkguard"]
CMD ["--help"]
