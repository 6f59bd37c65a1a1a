; DEBUG = True at module level of a Django settings module (recognised by its settings names)
(module
  (expression_statement
    (assignment left: (identifier) @name right: (true)) @finding)
  (#eq? @name "DEBUG")
  (#file-match? "(^|\\n)(INSTALLED_APPS|ALLOWED_HOSTS|ROOT_URLCONF|MIDDLEWARE|WSGI_APPLICATION|DATABASES|SECRET_KEY|TEMPLATES|AUTH_PASSWORD_VALIDATORS)\\s*[+]?=|django\\.conf|DJANGO_SETTINGS_MODULE|from\\s+\\.base\\s+import|from\\s+\\.settings\\s+import"))
