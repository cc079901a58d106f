package dev.warren.worker.demo;

/**
 * Payload of {@code send_welcome_email}, as the classic Python producer sends it:
 * {@code {"task_type": "send_welcome_email", "user_id": 123, "email": "user@example.com", "user_name": "John Doe"}}.
 */
public record WelcomeEmail(long userId, String email, String userName) {

    public WelcomeEmail {
        if (email == null || !email.contains("@")) {
            throw new IllegalArgumentException("email must be an e-mail address, was '" + email + "'");
        }
        userName = userName == null || userName.isBlank() ? "there" : userName;
    }
}
