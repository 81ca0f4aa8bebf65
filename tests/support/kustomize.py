"""A small kustomize, enough for deploy/k8s and exact for it: `build(folder)` returns the objects
`kubectl kustomize <folder>` would, without kubectl (tests/test_k8s_manifests.py compares the two).

It knows the fields deploy/k8s uses and refuses any other, so a kustomization that grows a feature
(patches, generators, labels...) fails here instead of being rendered wrong:
- `resources`: YAML files (one or more documents) and folders holding a kustomization.yaml;
- `namespace`: set on every namespaced object;
- `images`: `name` -> `newName` / `newTag` / `digest` on every container and init container;
- `replicas`: `name` -> `count` on the Deployment of that name.
"""
import copy
import os

import yaml

KNOWN_FIELDS = {"apiVersion", "kind", "resources", "namespace", "images", "replicas"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PriorityClass",
                  "StorageClass", "PersistentVolume"}
WORKLOADS = {"Deployment": ("spec", "template", "spec"), "Job": ("spec", "template", "spec")}


class KustomizeError(ValueError):
    """The kustomization uses something this renderer does not do."""


def load_documents(path):
    with open(path) as handle:
        return [document for document in yaml.safe_load_all(handle) if document]


def kustomization(folder):
    documents = load_documents(os.path.join(folder, "kustomization.yaml"))
    if len(documents) != 1:
        raise KustomizeError("{}: one kustomization per file".format(folder))
    config = documents[0]
    unknown = set(config) - KNOWN_FIELDS
    if unknown:
        raise KustomizeError("{}: fields this renderer does not apply: {}".format(folder, sorted(unknown)))
    return config


def build(folder):
    """The objects of the kustomization in `folder`, transformed, in the order of their resources."""
    config = kustomization(folder)
    objects = []
    for entry in config.get("resources", []):
        path = os.path.normpath(os.path.join(folder, entry))
        objects.extend(build(path) if os.path.isdir(path) else copy.deepcopy(load_documents(path)))
    keys = [(item["kind"], item["metadata"]["name"]) for item in objects]
    if len(keys) != len(set(keys)):
        raise KustomizeError("{}: an object is listed twice".format(folder))
    if "namespace" in config:
        for item in objects:
            if item["kind"] not in CLUSTER_SCOPED:
                item["metadata"]["namespace"] = config["namespace"]
    for image in config.get("images", []):
        _set_image(objects, image)
    for replicas in config.get("replicas", []):
        _set_replicas(objects, replicas, folder)
    return objects


def pod_spec(item):
    """The pod spec of a Deployment or Job, else None."""
    path = WORKLOADS.get(item["kind"])
    if path is None:
        return None
    spec = item
    for key in path:
        spec = spec[key]
    return spec


def containers(item):
    spec = pod_spec(item) or {}
    return list(spec.get("initContainers", [])) + list(spec.get("containers", []))


def _set_image(objects, image):
    unknown = set(image) - {"name", "newName", "newTag", "digest"}
    if unknown:
        raise KustomizeError("images: {} not applied".format(sorted(unknown)))
    for item in objects:
        for container in containers(item):
            name, tag = _split_image(container["image"])
            if name != image["name"]:
                continue
            name = image.get("newName", name)
            if "digest" in image:
                container["image"] = "{}@{}".format(name, image["digest"])
            else:
                tag = image.get("newTag", tag)
                container["image"] = name + (":" + tag if tag else "")


def _split_image(reference):
    if "@" in reference:
        raise KustomizeError("image digests in resources are not handled: {}".format(reference))
    name, _, tag = reference.rpartition(":")
    if not name or "/" in tag:  # no tag (a colon, if any, was a registry's port)
        return reference, None
    return name, tag


def _set_replicas(objects, replicas, folder):
    matched = [item for item in objects if item["kind"] == "Deployment" and item["metadata"]["name"] == replicas["name"]]
    if not matched:
        raise KustomizeError("{}: replicas for {} match no Deployment".format(folder, replicas["name"]))
    for item in matched:
        item["spec"]["replicas"] = replicas["count"]
