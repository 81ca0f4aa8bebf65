from services.directory import domain


def test_api_keys_are_random_prefixed_and_hashed():
    key, prefix, key_hash = domain.new_api_key()
    other_key, _, other_hash = domain.new_api_key()
    assert key.startswith("crm_{}_".format(prefix)) and key != other_key
    assert key_hash == domain.hash_api_key(key) != other_hash and key not in key_hash


def test_passwords_are_salted_hashes_that_verify():
    first, second = domain.hash_password("s3cret-password"), domain.hash_password("s3cret-password")
    assert first != second and "s3cret" not in first
    assert domain.password_matches(first, "s3cret-password")
    assert not domain.password_matches(first, "wrong-password")


def test_emails_are_compared_case_insensitively():
    assert domain.normalize_email("  Ada@Example.TEST ") == "ada@example.test"
