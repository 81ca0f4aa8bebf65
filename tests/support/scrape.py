"""Scraping the running system's Prometheus metrics: every process's port (System.metrics_urls)."""
import requests
from prometheus_client.parser import text_string_to_metric_families


def parse(text):
    """(family names, [(sample name, labels, value), ...]) of one exposition."""
    families, samples = set(), []
    for family in text_string_to_metric_families(text):
        families.add(family.name)
        samples.extend((sample.name, sample.labels, sample.value) for sample in family.samples)
    return families, samples


class Scrape:
    """One scrape of every process of `system`, or of `components` only."""

    def __init__(self, system, components=None):
        self.texts = {}  # (component, index) -> exposition text
        for name, urls in system.metrics_urls().items():
            if components is None or name in components:
                for index, url in enumerate(urls):
                    response = requests.get(url, timeout=10)
                    assert response.status_code == 200, (url, response.status_code)
                    self.texts[(name, index)] = response.text
        self.parsed = {key: parse(text) for key, text in self.texts.items()}

    def families(self, component=None):
        """The metric family names exposed (with or without samples yet)."""
        return {name for (comp, _), (families, _) in self.parsed.items() if component in (None, comp)
                for name in families}

    def samples(self, component, name, **labels):
        """The samples named `name` of every process of `component` whose labels include `labels`."""
        return [(sample_labels, value) for (comp, _), (_, samples) in self.parsed.items() if comp == component
                for sample_name, sample_labels, value in samples
                if sample_name == name and all(sample_labels.get(k) == v for k, v in labels.items())]

    def total(self, component, name, **labels):
        """The sum of those samples' values (0 when there is none)."""
        return sum(value for _, value in self.samples(component, name, **labels))
