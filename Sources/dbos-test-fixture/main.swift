import DBOS
