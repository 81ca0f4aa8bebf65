-- One database per service (DESIGN.md: no service reads another's tables).
CREATE DATABASE directory;
CREATE DATABASE accounts;
CREATE DATABASE prospects;
CREATE DATABASE deals;
CREATE DATABASE goals;
