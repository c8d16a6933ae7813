// Swagger UI on our own document only; validatorUrl null so it never calls an outside validator.
window.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui", validatorUrl: null,
                                deepLinking: false, tryItOutEnabled: false });
});
